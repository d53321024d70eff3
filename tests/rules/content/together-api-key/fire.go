package main

const (
	togetherApiKey = "affd7244c683214fe7b5c60df3df7bfb6d4c14fef49977d8db669ecf43c903ee"
)
