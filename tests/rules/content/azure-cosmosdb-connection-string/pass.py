COSMOS="AccountEndpoint=https://billing-db.documents.azure.com:443/;AccountKey=${COSMOS_KEY};"
