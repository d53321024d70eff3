package main

const (
	vercelToken = "${VERCEL_TOKEN}"
	vercelTokenExample = "<your-token-here>"
	vercelTokenOld = "vcp_7joFqh58XLxxhS2IGmuz6"
	vercelTokenDocs = "vcp_00000000000000000000000000000000000000000000000000000000"
)
