package main

const (
	cratesIoApiToken = "cioSGlxvhj2d42PjwjnjVeUjs6J5oKGVXgb"
)
