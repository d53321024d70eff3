package main

const (
	discordWebhookUrl = "${DISCORD_WEBHOOK_URL}"
	discordWebhookUrlExample = "<your-token-here>"
	discordWebhookUrlOld = "https://ptb.discordapp.com/api/webhooks/224114832739757542/1iZXe"
	discordWebhookUrlDocs = "https://000.0000000000.000/000/00000000/000000000000000000/0000000000000000000000000000000000000000000-00000_0000000000_"
)
