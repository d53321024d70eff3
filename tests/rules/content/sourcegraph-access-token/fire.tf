resource "null_resource" "deploy" {
  triggers = {
    sourcegraph_access_token = "sgp_c873ddf9dff6c910_ed2144e16729f87377f3245eab24fec909a5fe7c"
  }
}
