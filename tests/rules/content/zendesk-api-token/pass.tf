resource "null_resource" "deploy" {
  triggers = {
    zendesk_api_token = "${ZENDESK_API_TOKEN}"
    zendesk_api_token_example = "<your-token-here>"
    zendesk_api_token_old = "rEmpaBopqvo4nBDsTYMv"
    zendesk_api_token_docs = "0000000000000000000000000000000000000000"
  }
}
