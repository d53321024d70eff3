resource "null_resource" "deploy" {
  triggers = {
    pagerduty_api_key = "99lEEVuVSbPPwHUkknHf"
  }
}
