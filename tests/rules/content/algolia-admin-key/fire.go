package main

const (
	algoliaAdminKey = "6c06b8cb142f58d259ab7ea8e7edf876"
)
