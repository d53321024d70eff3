package main

const (
	neonApiKey = "napi_ht5k47r60wmcxkcvkjsakyemcpyxxw37kl4ybcxf9gpkq0weimb87hbhdhkyh7ve"
)
