resource "null_resource" "deploy" {
  triggers = {
    contentful_pat = "${CONTENTFUL_PAT}"
    contentful_pat_example = "<your-token-here>"
    contentful_pat_old = "CFPAT-ExeisBJenrdb_bkkwV5Ha"
    contentful_pat_docs = "CFPAT-000000000000_000000000000000000000000000000"
  }
}
