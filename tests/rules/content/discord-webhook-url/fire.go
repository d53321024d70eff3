package main

const (
	discordWebhookUrl = "https://ptb.discordapp.com/api/webhooks/224114832739757542/1iZXedWCcBmuAt0LHVB4T3sIQ53kJK8cqmBwNmlrhMB-ngK2q_zg77Udvnws_"
)
