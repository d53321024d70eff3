resource "null_resource" "deploy" {
  triggers = {
    shopify_access_token = "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"
  }
}
