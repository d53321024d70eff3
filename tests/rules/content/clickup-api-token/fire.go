package main

const (
	clickupApiToken = "pk_323360_U7I1QZUMBMSL37A77M1I18NBYAZ0CWZV"
)
