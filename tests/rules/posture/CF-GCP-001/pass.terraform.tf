# Bucket objects readable by the analysts group.
variable "viewers" {
  type    = set(string)
  default = ["group:analysts@acme.example"]
}

resource "google_storage_bucket" "assets" {
  name                        = "acme-assets"
  location                    = "EU"
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "inherited"
}

resource "google_storage_bucket_iam_member" "viewer" {
  for_each = var.viewers
  bucket   = google_storage_bucket.assets.name
  role     = "roles/storage.objectViewer"
  member   = each.value
}
