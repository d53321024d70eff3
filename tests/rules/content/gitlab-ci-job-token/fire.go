package main

const (
	gitlabCiJobToken = "glcbt-8_xCG0dVPHx5-cjYdV4Exk"
)
