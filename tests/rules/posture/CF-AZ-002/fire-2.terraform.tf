# allow_nested_items_to_be_public is left out, and the provider's default is true.
resource "azurerm_storage_account" "docs" {
  name                     = "acmedocs"
  resource_group_name      = "acme-docs"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "GRS"
  min_tls_version          = "TLS1_2"
}
