resource "null_resource" "deploy" {
  triggers = {
    sourcegraph_access_token = "${SOURCEGRAPH_ACCESS_TOKEN}"
    sourcegraph_access_token_example = "<your-token-here>"
    sourcegraph_access_token_old = "sgp_c873ddf9dff6c910_ed2144e1672"
    sourcegraph_access_token_docs = "sgp_0000000000000000_0000000000000000000000000000000000000000"
  }
}
