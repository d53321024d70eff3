resource "null_resource" "deploy" {
  triggers = {
    sendgrid_api_key = "${SENDGRID_API_KEY}"
    sendgrid_api_key_example = "<your-token-here>"
    sendgrid_api_key_old = "SG.YahsDkfUVseQ7Xk8270laZ.ySLV_aBxZ_"
    sendgrid_api_key_docs = "SG.0000000000000000000000.0000_0000_000000_00000000000000000000_00000"
  }
}
