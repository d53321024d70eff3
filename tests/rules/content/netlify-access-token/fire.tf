resource "null_resource" "deploy" {
  triggers = {
    netlify_access_token = "nfp_EcsPU6V19HHkzprZr5ixf4LwMVGqyGUbg1aB"
  }
}
