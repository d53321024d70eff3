resource "null_resource" "deploy" {
  triggers = {
    netlify_access_token = "${NETLIFY_ACCESS_TOKEN}"
    netlify_access_token_example = "<your-token-here>"
    netlify_access_token_old = "nfp_EcsPU6V19HHkzprZr5"
    netlify_access_token_docs = "nfp_000000000000000000000000000000000000"
  }
}
