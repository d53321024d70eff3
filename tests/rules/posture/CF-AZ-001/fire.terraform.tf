# A container whose blobs anyone can read.
resource "azurerm_resource_group" "docs" {
  name     = "acme-docs"
  location = "westeurope"
}

resource "azurerm_storage_account" "docs" {
  name                            = "acmedocs"
  resource_group_name             = azurerm_resource_group.docs.name
  location                        = azurerm_resource_group.docs.location
  account_kind                    = "StorageV2"
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  min_tls_version                 = "TLS1_2"
  enable_https_traffic_only       = true
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_container" "docs" {
  name                  = "docs"
  storage_account_name  = azurerm_storage_account.docs.name
  container_access_type = "blob"
}
