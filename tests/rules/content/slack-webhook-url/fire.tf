resource "null_resource" "deploy" {
  triggers = {
    slack_webhook_url = "https://hooks.slack.com/workflows/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"
  }
}
