package main

const (
	googleOauthClientSecret = "${GOOGLE_OAUTH_CLIENT_SECRET}"
	googleOauthClientSecretExample = "<your-token-here>"
	googleOauthClientSecretOld = "GOCSPX-lvaN2lC669uLc9"
	googleOauthClientSecretDocs = "GOCSPX-0000000000000000000000000000"
)
