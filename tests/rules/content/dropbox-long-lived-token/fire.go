package main

const (
	dropboxAccessToken = "gEkKTczlvc6AAAAAAAAAAxLO1N6k44esgZTSxUgx7XgRny80Lwi43BI3wsmr9FNr"
)
