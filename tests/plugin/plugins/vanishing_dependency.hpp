// A shared library the missing-dependency test plugin links but cannot find at run time.
#pragma once

int vanishingDependency();
