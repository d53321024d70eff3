resource "null_resource" "deploy" {
  triggers = {
    paystack_secret_key = "sk_live_4b879a13dc33809f9d7c8a7be52f4afd386338f7"
  }
}
