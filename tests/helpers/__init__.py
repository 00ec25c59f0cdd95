"""Helpers shared by the tests, one of each: the PDF maker (pdfs), the test content models (models),
the demo dossier (demo), the official eCTD files and a stand-in renderer (ectd), reading documents
back (documents) and the in-process command line (cli). tests/conftest.py loads their fixtures."""
