resource "null_resource" "deploy" {
  triggers = {
    mistral_api_key = "ygWwX9r4YTBVIp1OiosZKmZ7EcDxVN76"
  }
}
