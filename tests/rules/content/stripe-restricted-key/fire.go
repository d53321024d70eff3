package main

const (
	stripeRestrictedKey = "rk_live_p3M3UkmvKgWnIRFvmLAo9J9Z7i3wn"
)
