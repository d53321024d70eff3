COSMOS="AccountEndpoint=https://billing-db.documents.azure.com:443/;AccountKey=3ibGOByAfB3HN2L0GDAxYqgw4WnB09oHiWC0oWKaKDhgFTIz/7JCG93VX8pNxJ/BSoWBMcCgGE39SFXK0xdaOQ==;"
