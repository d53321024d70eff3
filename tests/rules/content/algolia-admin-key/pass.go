package main

const (
	algoliaAdminKey = "${ALGOLIA_ADMIN_KEY}"
	algoliaAdminKeyExample = "<your-token-here>"
	algoliaAdminKeyOld = "6c06b8cb142f58d2"
	algoliaAdminKeyDocs = "00000000000000000000000000000000"
)
