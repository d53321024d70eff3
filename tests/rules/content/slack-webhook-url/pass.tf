resource "null_resource" "deploy" {
  triggers = {
    slack_webhook_url = "${SLACK_WEBHOOK_URL}"
    slack_webhook_url_example = "<your-token-here>"
    slack_webhook_url_old = "https://hooks.slack.com/workflows/UVK4AFCMO/T9ANG1"
    slack_webhook_url_docs = "https://hooks.slack.com/000000000/000000000/000000000/00000000000000000000000"
  }
}
