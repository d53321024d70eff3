# Access to the bucket is still decided by per-object ACLs.
resource "google_storage_bucket" "assets" {
  name                        = "acme-assets"
  location                    = "EU"
  storage_class               = "STANDARD"
  uniform_bucket_level_access = false
  public_access_prevention    = "inherited"
}
