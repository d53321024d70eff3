resource "null_resource" "deploy" {
  triggers = {
    azure_openai_api_key = "${AZURE_OPENAI_API_KEY}"
    azure_openai_api_key_example = "<your-token-here>"
    azure_openai_api_key_old = "5db92353d61773af"
    azure_openai_api_key_docs = "00000000000000000000000000000000"
  }
}
