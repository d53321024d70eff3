resource "null_resource" "deploy" {
  triggers = {
    paystack_secret_key = "${PAYSTACK_SECRET_KEY}"
    paystack_secret_key_example = "<your-token-here>"
    paystack_secret_key_old = "sk_live_4b879a13dc33809f9"
    paystack_secret_key_docs = "sk_0000_0000000000000000000000000000000000000000"
  }
}
