package main

const (
	vercelToken = "vcp_7joFqh58XLxxhS2IGmuz6CC4BsHXxjHZ0usuUKW1Y1CoPuSsy5QbTFPa"
)
