resource "null_resource" "deploy" {
  triggers = {
    azure_openai_api_key = "5db92353d61773af1ef3f6139aff4e39"
  }
}
