package main

const (
	stripeRestrictedKey = "${STRIPE_RESTRICTED_KEY}"
	stripeRestrictedKeyExample = "<your-token-here>"
	stripeRestrictedKeyOld = "rk_live_p3M3UkmvKgWnIR"
	stripeRestrictedKeyDocs = "rk_live_00000000000000000000000000000"
)
