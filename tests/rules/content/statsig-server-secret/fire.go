package main

const (
	statsigServerSecret = "secret-sdGK0rnDofFLm9x7xvXIREktp8r2Pp0uXfet8qVMyTg"
)
