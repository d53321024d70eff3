package main

const (
	droneToken = "${DRONE_TOKEN}"
	droneTokenExample = "<your-token-here>"
	droneTokenOld = "M3hCE30QFYgc9793"
	droneTokenDocs = "00000000000000000000000000000000"
)
