"""Science along the track: radargrams and spectra.

:mod:`~traverse.science.radargram` draws a drive's radargram;
:mod:`~traverse.science.along_track` is the build stage that makes one per drive and reads the spectra.
"""
