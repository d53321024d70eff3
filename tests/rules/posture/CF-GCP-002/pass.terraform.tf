# Uniform bucket-level access: IAM alone decides.
resource "google_storage_bucket" "assets" {
  name                        = "acme-assets"
  location                    = "EU"
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
}
