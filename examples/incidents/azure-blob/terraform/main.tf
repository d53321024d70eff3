# The Terraform source of plan.json: a storage account that allows public containers, and a
# container of customer proofs of concept whose access type lets anyone list and read it.
# Names are invented.

variable "location" {
  default = "westeurope"
}

resource "azurerm_storage_account" "prospects" {
  name                            = "prospectdatastore01"
  resource_group_name             = "rg-sales-prod"
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = "GRS"
  account_kind                    = "StorageV2"
  allow_nested_items_to_be_public = true
  min_tls_version                 = "TLS1_2"
  tags = {
    dept = "sales"
  }
}

resource "azurerm_storage_container" "pocs" {
  name                  = "customer-pocs"
  storage_account_name  = azurerm_storage_account.prospects.name
  container_access_type = "container"
}
