resource "null_resource" "deploy" {
  triggers = {
    huggingface_access_token = "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"
  }
}
