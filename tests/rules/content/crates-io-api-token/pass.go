package main

const (
	cratesIoApiToken = "${CRATES_IO_API_TOKEN}"
	cratesIoApiTokenExample = "<your-token-here>"
	cratesIoApiTokenOld = "cioSGlxvhj2d42Pjwjn"
	cratesIoApiTokenDocs = "cio00000000000000000000000000000000"
)
