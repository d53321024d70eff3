resource "null_resource" "deploy" {
  triggers = {
    webex_access_token = "${WEBEX_ACCESS_TOKEN}"
    webex_access_token_example = "<your-token-here>"
    webex_access_token_old = "0CSB38UfsuKt4A6cesAakEutTXMHDHPefn1IkUKUxwXQIK0O6y1Je"
    webex_access_token_docs = "0000000000000000000000000000000000000000000000000000000000000000_0000_00000-0000-00-00000-000-0000000-0000"
  }
}
