package main

const (
	buildkiteApiToken = "bkua_cbcadbfd4696a9f367bcfedddd9c44700fb7b3e5"
)
