resource "null_resource" "deploy" {
  triggers = {
    sendgrid_api_key = "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"
  }
}
