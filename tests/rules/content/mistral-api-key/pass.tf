resource "null_resource" "deploy" {
  triggers = {
    mistral_api_key = "${MISTRAL_API_KEY}"
    mistral_api_key_example = "<your-token-here>"
    mistral_api_key_old = "ygWwX9r4YTBVIp1O"
    mistral_api_key_docs = "00000000000000000000000000000000"
  }
}
