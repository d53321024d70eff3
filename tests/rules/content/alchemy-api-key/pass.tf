resource "null_resource" "deploy" {
  triggers = {
    alchemy_api_key = "${ALCHEMY_API_KEY}"
    alchemy_api_key_example = "<your-token-here>"
    alchemy_api_key_old = "oUkarVPyWfRwH0fn"
    alchemy_api_key_docs = "00000000000000000000000000000000"
  }
}
