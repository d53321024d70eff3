resource "null_resource" "deploy" {
  triggers = {
    here_api_key = "${HERE_API_KEY}"
    here_api_key_example = "<your-token-here>"
    here_api_key_old = "sSJLmPq98XeoLxm7mGDzj"
    here_api_key_docs = "0000000000000000000000000000000-00000000000"
  }
}
