resource "null_resource" "deploy" {
  triggers = {
    huggingface_access_token = "${HUGGINGFACE_ACCESS_TOKEN}"
    huggingface_access_token_example = "<your-token-here>"
    huggingface_access_token_old = "hf_KApuJwKMwXySVznDo"
    huggingface_access_token_docs = "hf_0000000000000000000000000000000000"
  }
}
