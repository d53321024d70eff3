resource "null_resource" "deploy" {
  triggers = {
    pagerduty_api_key = "${PAGERDUTY_API_KEY}"
    pagerduty_api_key_example = "<your-token-here>"
    pagerduty_api_key_old = "99lEEVuVSb"
    pagerduty_api_key_docs = "00000000000000000000"
  }
}
