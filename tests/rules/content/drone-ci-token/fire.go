package main

const (
	droneToken = "M3hCE30QFYgc9793tzKAsgmTt7QFZidD"
)
